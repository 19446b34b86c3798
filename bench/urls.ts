/**
 * Deterministic, realistic URL traffic for the benchmark: what a proxy log or
 * a browser history of an office looks like. About 5% of the URLs open an AI
 * tool of the catalog (hosts and path prefixes taken from its patterns, with
 * the subdomains, paths and queries such sites really use); the rest is a
 * popularity-weighted mix of everyday sites, including pages of hosts that
 * also carry an AI feature (www.bing.com/search, github.com/org/repo,
 * huggingface.co/models) so path-scoped patterns are exercised on both sides.
 *
 * Only the seeded PRNG below decides anything: the same seed gives the same
 * URLs on every machine, so numbers from two machines compare the same work.
 */
import type { Catalog } from '../lib/policy/catalog';
import { checkPattern } from '../lib/policy/pattern';

/** mulberry32: tiny, fast and good enough for picking test data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const chance = (rng: Rng, p: number): boolean => rng() < p;
const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

function chars(rng: Rng, alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(rng() * alphabet.length)] as string;
  return out;
}

const uuid = (rng: Rng): string =>
  `${chars(rng, HEX, 8)}-${chars(rng, HEX, 4)}-${chars(rng, HEX, 4)}-${chars(rng, HEX, 4)}-${chars(rng, HEX, 12)}`;

const WORDS = [
  'account',
  'analytics',
  'api',
  'blog',
  'budget',
  'calendar',
  'careers',
  'cart',
  'checkout',
  'contact',
  'customers',
  'dashboard',
  'data',
  'docs',
  'download',
  'events',
  'faq',
  'features',
  'files',
  'guide',
  'help',
  'home',
  'invoices',
  'issues',
  'jobs',
  'login',
  'marketing',
  'news',
  'notes',
  'orders',
  'overview',
  'pricing',
  'products',
  'profile',
  'projects',
  'q3-report',
  'release-notes',
  'reports',
  'sales',
  'search',
  'security',
  'settings',
  'support',
  'team',
  'tickets',
  'travel',
  'updates',
  'users',
  'video',
  'wiki',
] as const;
const QUERY_WORDS = [
  'quarterly',
  'revenue',
  'forecast',
  'python',
  'pandas',
  'dataframe',
  'merge',
  'weather',
  'berlin',
  'flights',
  'hotel',
  'best',
  'laptop',
  'review',
  'how',
  'to',
  'export',
  'csv',
  'excel',
  'formula',
  'vlookup',
  'meeting',
  'notes',
  'template',
  'kubernetes',
  'ingress',
  'error',
  'typescript',
  'generic',
  'constraint',
  'salary',
  'tax',
] as const;
const EXTENSIONS = ['.html', '.php', '.aspx', '.pdf', '.png', '.jpg', '.js', '.css', '.json', '.svg'] as const;
const TRACKING = [
  'utm_source=newsletter',
  'utm_medium=email',
  'utm_campaign=spring_sale',
  'ref=homepage',
  'fbclid=IwAR2x',
];

function words(rng: Rng, min: number, max: number, joiner: string): string {
  const out: string[] = [];
  for (let n = int(rng, min, max); n > 0; n--) out.push(pick(rng, QUERY_WORDS));
  return out.join(joiner);
}

/** A generic path: a few segments of words, ids and slugs, sometimes a file extension. */
function genericPath(rng: Rng): string {
  const r = rng();
  if (r < 0.12) return '/';
  let path = '';
  for (let n = int(rng, 1, 4); n > 0; n--) {
    const s = rng();
    if (s < 0.55) path += `/${pick(rng, WORDS)}`;
    else if (s < 0.7) path += `/${int(rng, 1, 999999)}`;
    else if (s < 0.82) path += `/${words(rng, 2, 5, '-')}`;
    else if (s < 0.9) path += `/${chars(rng, ALNUM, int(rng, 6, 14))}`;
    else if (s < 0.95) path += `/${pick(rng, WORDS).replace(/^./, (c) => c.toUpperCase())}`;
    else path += `/${words(rng, 1, 2, '%20')}`;
  }
  if (chance(rng, 0.25)) path += pick(rng, EXTENSIONS);
  else if (chance(rng, 0.15)) path += '/';
  return path;
}

function genericQuery(rng: Rng): string {
  const r = rng();
  if (r < 0.55) return '';
  const params: string[] = [];
  if (r < 0.75) params.push(`q=${words(rng, 1, 4, '+')}`);
  if (chance(rng, 0.3)) params.push(`page=${int(rng, 1, 40)}`);
  if (chance(rng, 0.25)) params.push(`id=${chars(rng, ALNUM, 10)}`);
  if (chance(rng, 0.3)) params.push(pick(rng, TRACKING));
  if (chance(rng, 0.1)) params.push(`sid=${chars(rng, MIXED, 32)}`);
  if (params.length === 0) params.push(`lang=${pick(rng, ['en', 'de', 'fr', 'ja', 'es'])}`);
  return `?${params.join('&')}`;
}

/** One everyday site: its registrable host, the subdomains seen in traffic, and how its pages look. */
interface Site {
  readonly host: string;
  readonly subdomains: readonly string[];
  readonly path?: (rng: Rng) => string;
}

const HF_MODELS = [
  'meta-llama/Llama-3.1-8B',
  'mistralai/Mistral-7B-v0.3',
  'google/gemma-2-9b',
  'openai/whisper-large-v3',
];

const githubRepoPath = (rng: Rng): string => {
  const org = pick(rng, [
    'microsoft',
    'Microsoft',
    'facebook',
    'vercel',
    'nodejs',
    'rust-lang',
    'acme-corp',
    'torvalds',
  ]);
  const repo = pick(rng, ['TypeScript', 'vscode', 'react', 'next.js', 'node', 'rust', 'platform', 'linux']);
  const tail = pick(rng, [
    '',
    '/issues',
    `/issues/${int(rng, 1, 60000)}`,
    `/pull/${int(rng, 1, 60000)}/files`,
    `/blob/main/src/${pick(rng, WORDS)}.ts`,
    '/actions',
    `/commit/${chars(rng, HEX, 40)}`,
    '/releases',
  ]);
  return `/${org}/${repo}${tail}`;
};

/**
 * Everyday non-AI sites, most popular first (weight ~ 1/rank^0.8, a Zipf-like
 * traffic curve). None of these host/path shapes is an AI tool in the catalog:
 * the AI features of mixed hosts (bing.com/chat, github.com/copilot,
 * huggingface.co/spaces, ...) only appear in the AI share.
 */
const SITES: readonly Site[] = [
  {
    host: 'google.com',
    subdomains: ['www.', 'www.', 'mail.', 'docs.', 'drive.', 'calendar.', 'meet.', 'accounts.', 'fonts.'],
    path: (rng) =>
      pick(rng, [
        `/search?q=${words(rng, 1, 5, '+')}&rlz=1C1GCEA_enUS&oq=${pick(rng, QUERY_WORDS)}&sourceid=chrome&ie=UTF-8`,
        `/document/d/${chars(rng, MIXED, 44)}/edit`,
        '/mail/u/0/#inbox',
        `/drive/folders/${chars(rng, MIXED, 33)}`,
        `/calendar/u/0/r/week/2026/${int(rng, 1, 12)}/${int(rng, 1, 28)}`,
      ]),
  },
  {
    host: 'youtube.com',
    subdomains: ['www.', 'm.'],
    path: (rng) => `/watch?v=${chars(rng, MIXED, 11)}${chance(rng, 0.3) ? `&t=${int(rng, 1, 900)}s` : ''}`,
  },
  { host: 'microsoft.com', subdomains: ['www.', 'learn.', 'teams.', 'support.'] },
  { host: 'office.com', subdomains: ['www.', 'outlook.'] },
  { host: 'live.com', subdomains: ['outlook.', 'onedrive.', 'login.'] },
  { host: 'microsoftonline.com', subdomains: ['login.'] },
  {
    host: 'bing.com',
    subdomains: ['www.'],
    path: (rng) =>
      pick(rng, [
        `/search?q=${words(rng, 1, 5, '+')}&form=QBLH&sp=-1&pq=${pick(rng, QUERY_WORDS)}`,
        `/images/search?q=${words(rng, 1, 3, '+')}&form=HDRSC2`,
        `/news/search?q=${words(rng, 1, 3, '+')}`,
        `/maps?q=${words(rng, 1, 2, '+')}`,
      ]),
  },
  { host: 'github.com', subdomains: ['', '', '', 'gist.', 'docs.'], path: githubRepoPath },
  { host: 'facebook.com', subdomains: ['www.', 'm.', 'business.'] },
  { host: 'linkedin.com', subdomains: ['www.'] },
  { host: 'wikipedia.org', subdomains: ['en.', 'de.', 'fr.', 'ja.'], path: (rng) => `/wiki/${words(rng, 1, 3, '_')}` },
  { host: 'amazon.com', subdomains: ['www.', 'aws.', 'console.aws.'] },
  { host: 'slack.com', subdomains: ['app.', 'acme.', 'files.'] },
  { host: 'zoom.us', subdomains: ['', 'us02web.', 'acme.'] },
  { host: 'atlassian.net', subdomains: ['acme.', 'acme-corp.'] },
  { host: 'salesforce.com', subdomains: ['acme.my.', 'login.', 'www.'] },
  {
    host: 'reddit.com',
    subdomains: ['www.', 'old.'],
    path: (rng) => `/r/${pick(rng, WORDS)}/comments/${chars(rng, ALNUM, 7)}/${words(rng, 3, 6, '_')}/`,
  },
  {
    host: 'stackoverflow.com',
    subdomains: [''],
    path: (rng) => `/questions/${int(rng, 1000, 79000000)}/${words(rng, 3, 8, '-')}`,
  },
  {
    host: 'huggingface.co',
    subdomains: [''],
    path: (rng) =>
      pick(rng, [
        `/models?pipeline_tag=${pick(rng, ['text-generation', 'image-classification', 'translation'])}&sort=trending`,
        `/${pick(rng, HF_MODELS)}`,
        `/datasets/${pick(rng, ['squad', 'imdb', 'wikitext'])}`,
        `/docs/transformers/${pick(rng, ['index', 'quicktour', 'installation'])}`,
      ]),
  },
  { host: 'x.com', subdomains: [''] },
  { host: 'instagram.com', subdomains: ['www.'] },
  { host: 'netflix.com', subdomains: ['www.'] },
  { host: 'apple.com', subdomains: ['www.', 'support.', 'developer.'] },
  { host: 'yahoo.com', subdomains: ['www.', 'mail.', 'finance.', 'news.'] },
  { host: 'notion.so', subdomains: ['www.'], path: (rng) => `/acme/${words(rng, 2, 4, '-')}-${chars(rng, HEX, 32)}` },
  { host: 'dropbox.com', subdomains: ['www.'] },
  {
    host: 'canva.com',
    subdomains: ['www.'],
    path: (rng) => `/design/${chars(rng, MIXED, 11)}/${chars(rng, MIXED, 22)}/edit`,
  },
  { host: 'adobe.com', subdomains: ['www.', 'acrobat.', 'helpx.'] },
  {
    host: 'nytimes.com',
    subdomains: ['www.'],
    path: (rng) => `/2026/${int(rng, 1, 12)}/${int(rng, 1, 28)}/${pick(rng, WORDS)}/${words(rng, 3, 7, '-')}.html`,
  },
  { host: 'bbc.co.uk', subdomains: ['www.'] },
  { host: 'theguardian.com', subdomains: ['www.'] },
  { host: 'cnn.com', subdomains: ['edition.', 'www.'] },
  { host: 'spotify.com', subdomains: ['open.', 'www.'] },
  { host: 'twitch.tv', subdomains: ['www.'] },
  { host: 'ebay.com', subdomains: ['www.'] },
  { host: 'paypal.com', subdomains: ['www.'] },
  { host: 'stripe.com', subdomains: ['dashboard.', ''] },
  {
    host: 'figma.com',
    subdomains: ['www.'],
    path: (rng) =>
      `/file/${chars(rng, MIXED, 22)}/${words(rng, 1, 3, '-')}?node-id=${int(rng, 1, 999)}-${int(rng, 1, 999)}`,
  },
  { host: 'trello.com', subdomains: [''] },
  { host: 'asana.com', subdomains: ['app.'] },
  { host: 'hubspot.com', subdomains: ['app.', 'www.'] },
  { host: 'zendesk.com', subdomains: ['acme.'] },
  { host: 'servicenow.com', subdomains: ['acme.'] },
  { host: 'myworkday.com', subdomains: ['wd5.', 'www.'] },
  { host: 'okta.com', subdomains: ['acme.'] },
  {
    host: 'npmjs.com',
    subdomains: ['www.'],
    path: (rng) => `/package/${pick(rng, ['react', 'zod', 'esbuild', '@types/node', 'vitest'])}`,
  },
  { host: 'pypi.org', subdomains: [''] },
  {
    host: 'developer.mozilla.org',
    subdomains: [''],
    path: (rng) =>
      `/en-US/docs/Web/JavaScript/Reference/Global_Objects/${pick(rng, ['Array', 'URL', 'Map', 'Promise'])}`,
  },
  { host: 'medium.com', subdomains: ['', 'blog.'] },
  { host: 'booking.com', subdomains: ['www.'] },
  { host: 'airbnb.com', subdomains: ['www.'] },
  { host: 'weather.com', subdomains: ['www.'] },
  { host: 'cloudflare.com', subdomains: ['dash.', 'www.', 'developers.'] },
  { host: 'baidu.com', subdomains: ['www.'], path: (rng) => `/s?wd=${words(rng, 1, 3, '+')}&ie=utf-8` },
  { host: 'qq.com', subdomains: ['www.', 'mail.'] },
  { host: 'aliyun.com', subdomains: ['www.', 'help.'] },
  { host: 'yandex.ru', subdomains: ['', 'mail.'] },
  { host: 'naver.com', subdomains: ['www.', 'search.'] },
  { host: 'duckduckgo.com', subdomains: [''], path: (rng) => `/?q=${words(rng, 1, 4, '+')}&ia=web` },
  { host: 'brave.com', subdomains: ['search.'], path: (rng) => `/search?q=${words(rng, 1, 4, '+')}&source=web` },
  { host: 'indeed.com', subdomains: ['www.', 'de.'] },
  { host: 'coursera.org', subdomains: ['www.'] },
  { host: 'udemy.com', subdomains: ['www.'] },
  // Static assets and beacons: a large part of any proxy log.
  {
    host: 'gstatic.com',
    subdomains: ['fonts.', 'www.', 'ssl.'],
    path: (rng) => `/s/roboto/v30/${chars(rng, MIXED, 24)}.woff2`,
  },
  {
    host: 'jsdelivr.net',
    subdomains: ['cdn.'],
    path: (rng) =>
      `/npm/${pick(rng, ['bootstrap@5.3.3', 'jquery@3.7.1', 'chart.js@4.4.1'])}/dist/${pick(rng, WORDS)}.min.js`,
  },
  { host: 'cloudfront.net', subdomains: ['d1a2b3c4d5e6f7.', 'd3kx8zq1y2w9v0.'] },
  {
    host: 'google-analytics.com',
    subdomains: ['www.', 'region1.'],
    path: (rng) =>
      `/g/collect?v=2&tid=G-${chars(rng, ALNUM, 10).toUpperCase()}&cid=${int(rng, 1e8, 2e9)}.${int(rng, 1e8, 2e9)}&en=page_view`,
  },
  { host: 'doubleclick.net', subdomains: ['googleads.g.', 'stats.g.'] },
];

const SITE_WEIGHTS: readonly number[] = SITES.map((_, rank) => 1 / Math.pow(rank + 1, 0.8));

function pickWeighted<T>(rng: Rng, items: readonly T[], weights: readonly number[], total: number): T {
  let r = rng() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weights[i] as number;
    if (r < 0) return items[i] as T;
  }
  return items[items.length - 1] as T;
}

function everydayUrl(rng: Rng, total: number): string {
  const site = pickWeighted(rng, SITES, SITE_WEIGHTS, total);
  const host = pick(rng, site.subdomains) + site.host;
  const scheme = chance(rng, 0.02) ? 'http' : 'https';
  const path = site.path !== undefined && chance(rng, 0.7) ? site.path(rng) : genericPath(rng) + genericQuery(rng);
  const fragment = chance(rng, 0.04) ? `#${pick(rng, WORDS)}` : '';
  return `${scheme}://${host}${path}${fragment}`;
}

/** The pages of an AI tool people actually open: new chats, conversations, shares, projects, API calls. */
function aiToolPath(rng: Rng): string {
  return pick(rng, [
    '/',
    '/',
    `/c/${uuid(rng)}`,
    `/chat/${uuid(rng)}`,
    `/share/${chars(rng, ALNUM, 16)}`,
    '/new',
    `/app/${pick(rng, ['', 'projects', 'history', 'library'])}`,
    `/project/${chars(rng, ALNUM, 12)}`,
    `/g/g-${chars(rng, MIXED, 9)}-${words(rng, 1, 3, '-')}`,
    '/settings/account',
    `/backend-api/conversation/${uuid(rng)}`,
    `/api/v1/${pick(rng, ['completions', 'images', 'files', 'models'])}`,
    `/search?q=${words(rng, 1, 6, '+')}`,
    `/login?next=${encodeURIComponent(`/c/${chars(rng, ALNUM, 8)}`)}`,
  ]);
}

/** Tools the traffic concentrates on (each must exist in the catalog; unknown ids are skipped). */
const POPULAR_TOOLS = [
  'chatgpt',
  'claude',
  'gemini',
  'copilot',
  'perplexity',
  'deepseek',
  'm365-copilot-chat',
  'github-copilot',
  'grammarly',
  'deepl',
  'meta-ai',
  'character-ai',
  'notebooklm',
  'cursor',
  'poe',
  'huggingchat',
  'mistral',
];

interface AiTarget {
  readonly host: string;
  readonly path: string;
}

interface AiTargets {
  /** Every catalog tool's patterns, one list per tool. */
  readonly all: readonly (readonly AiTarget[])[];
  /** The popular tools' patterns, most popular first, with Zipf-like weights. */
  readonly popular: readonly (readonly AiTarget[])[];
  readonly popularWeights: readonly number[];
  readonly popularTotal: number;
}

function aiTargets(catalog: Catalog): AiTargets {
  const byTool = new Map<string, AiTarget[]>();
  for (const tool of catalog.tools) {
    const targets: AiTarget[] = [];
    for (const pattern of tool.match) {
      const check = checkPattern(pattern);
      if (check.ok) targets.push(check.pattern);
    }
    if (targets.length > 0) byTool.set(tool.id, targets);
  }
  const popular = POPULAR_TOOLS.flatMap((id) => {
    const targets = byTool.get(id);
    return targets === undefined ? [] : [targets];
  });
  const popularWeights = popular.map((_, rank) => 1 / (rank + 1));
  return {
    all: [...byTool.values()],
    popular,
    popularWeights,
    popularTotal: popularWeights.reduce((a, b) => a + b, 0),
  };
}

function aiUrl(rng: Rng, targets: AiTargets): string {
  // Most AI traffic goes to a handful of tools (ChatGPT first); the long tail gets the rest.
  const tool =
    chance(rng, 0.7) && targets.popular.length > 0
      ? pickWeighted(rng, targets.popular, targets.popularWeights, targets.popularTotal)
      : pick(rng, targets.all);
  const target = pick(rng, tool);
  let host = target.host;
  const labels = host.split('.').length;
  if (labels === 2 && chance(rng, 0.3)) host = `www.${host}`;
  else if (chance(rng, 0.08)) host = `${pick(rng, ['app.', 'api.', 'beta.', 'eu.'])}${host}`;
  let path: string;
  if (target.path === '') path = aiToolPath(rng);
  else {
    // A path-scoped tool (bing.com/chat, github.com/copilot): its prefix, then what follows it.
    path =
      target.path +
      pick(rng, ['', '/', `/${chars(rng, ALNUM, 10)}`, `?q=${words(rng, 1, 4, '+')}&form=NTPCHB`, `/${uuid(rng)}`]);
  }
  const query = chance(rng, 0.15) ? `${path.includes('?') ? '&' : '?'}${pick(rng, TRACKING)}` : '';
  return `https://${host}${path}${query}`;
}

/**
 * `count` URLs, `aiShare` of them (in expectation) opening a catalog tool.
 * The strings are built by concatenation; callers that time per-URL work
 * should flatten them first (see flatten()).
 */
export function generateUrls(catalog: Catalog, count: number, seed: number, aiShare = 0.05): string[] {
  const rng = mulberry32(seed);
  const targets = aiTargets(catalog);
  const totalWeight = SITE_WEIGHTS.reduce((a, b) => a + b, 0);
  const urls = new Array<string>(count);
  for (let i = 0; i < count; i++) urls[i] = chance(rng, aiShare) ? aiUrl(rng, targets) : everydayUrl(rng, totalWeight);
  return urls;
}

/**
 * V8 keeps concatenated strings as ropes and flattens them on first use, so
 * the first timed pass would pay for it. Joining and splitting yields flat
 * slices of one string, which is also what a line reader hands the CLI.
 */
export function flatten(urls: readonly string[]): string[] {
  return urls.join('\n').split('\n');
}
