/**
 * The settings table (the generated admin and reporting tokens) and the admin sessions, each token kept
 * only as a SHA-256 hash.
 */
import type Database from 'better-sqlite3';
import type { CollectorStore } from '../store';
import { GENERATED_ADMIN_TOKEN_HASH, GENERATED_REPORTING_TOKEN_HASH, SESSIONS_ADMIN_TOKEN_HASH } from './schema';

export interface Settings {
  get(key: string): Buffer | null;
  set(key: string, value: Buffer): void;
}

export function createSettings(db: Database.Database): Settings {
  const getSetting = db.prepare<[string], { value: Buffer }>('SELECT value FROM settings WHERE key = ?');
  const setSetting = db.prepare<[string, Buffer]>(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
  );
  return {
    get: (key) => getSetting.get(key)?.value ?? null,
    set: (key, value) => void setSetting.run(key, value),
  };
}

type Sessions = Pick<
  CollectorStore,
  | 'getGeneratedAdminTokenHash'
  | 'setGeneratedAdminTokenHash'
  | 'getGeneratedReportingTokenHash'
  | 'setGeneratedReportingTokenHash'
  | 'endSessionsOfOtherTokens'
  | 'addSession'
  | 'hasSession'
  | 'deleteSession'
  | 'deleteExpiredSessions'
>;

export function createSessions(db: Database.Database, settings: Settings): Sessions {
  const addSession = db.prepare<[Buffer, number]>('INSERT INTO sessions (hash, expires_at) VALUES (?, ?)');
  const hasSession = db.prepare<[Buffer, number]>('SELECT 1 FROM sessions WHERE hash = ? AND expires_at > ?').pluck();
  const deleteSession = db.prepare<[Buffer]>('DELETE FROM sessions WHERE hash = ?');
  const deleteExpiredSessions = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?');
  const deleteAllSessions = db.prepare('DELETE FROM sessions');
  const endSessionsOfOtherTokens = db.transaction((adminTokenHash: Buffer) => {
    const owner = settings.get(SESSIONS_ADMIN_TOKEN_HASH);
    if (owner !== null && owner.equals(adminTokenHash)) return;
    deleteAllSessions.run();
    settings.set(SESSIONS_ADMIN_TOKEN_HASH, adminTokenHash);
  });

  return {
    getGeneratedAdminTokenHash: () => settings.get(GENERATED_ADMIN_TOKEN_HASH),
    setGeneratedAdminTokenHash: (hash) => settings.set(GENERATED_ADMIN_TOKEN_HASH, hash),
    getGeneratedReportingTokenHash: () => settings.get(GENERATED_REPORTING_TOKEN_HASH),
    setGeneratedReportingTokenHash: (hash) => settings.set(GENERATED_REPORTING_TOKEN_HASH, hash),
    endSessionsOfOtherTokens: (adminTokenHash) => endSessionsOfOtherTokens(adminTokenHash),
    addSession: (hash, expiresAt) => void addSession.run(hash, expiresAt),
    hasSession: (hash, now) => hasSession.get(hash, now) !== undefined,
    deleteSession: (hash) => void deleteSession.run(hash),
    deleteExpiredSessions: (now) => void deleteExpiredSessions.run(now),
  };
}
