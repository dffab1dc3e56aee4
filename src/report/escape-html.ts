const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text made inert in HTML element content and quoted attributes. Every string
 * the HTML report prints goes through this: rule descriptions, user names,
 * reasons and organisations come from attacker-influenced input.
 */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (character) => ENTITIES[character] as string);
}
