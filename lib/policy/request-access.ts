/**
 * The "Request access" link: `{tool}` and `{host}` in the organization's
 * requestAccessUrl, each URL-encoded on substitution (docs/spec/policy-format.md
 * "Deciding a URL", last paragraph).
 */
export function requestAccessLink(template: string, toolId: string, host: string): string {
  return template.replaceAll('{tool}', encodeURIComponent(toolId)).replaceAll('{host}', encodeURIComponent(host));
}
