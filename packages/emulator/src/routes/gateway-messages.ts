/** A text content part, the only kind the gateway documents. */
export interface TextPart {
  type: 'text';
  text: string;
}

/** A chat message as the gateway accepts it. */
export interface ChatMessage {
  role: string;
  content: string | TextPart[];
}

/** The exact placeholder the gateway replaces (with the spaces). */
export const TRANSCRIPT_PLACEHOLDER = '{{ transcript }}';

/** `messages`, or `prompt` as one user message; a string is the 400 message when neither is valid. */
export function parseMessages(body: Record<string, unknown>): ChatMessage[] | string {
  if (body.messages === undefined) {
    if (typeof body.prompt === 'string') return [{ role: 'user', content: body.prompt }];
    return 'Either messages or prompt is required';
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return 'messages must be a non-empty array';
  const out: ChatMessage[] = [];
  for (const [i, raw] of body.messages.entries()) {
    const m = raw as { role?: unknown; content?: unknown } | null;
    if (!m || typeof m !== 'object' || typeof m.role !== 'string') return `messages[${i}].role is required`;
    if (!['user', 'assistant', 'system', 'tool'].includes(m.role)) return `messages[${i}].role is invalid`;
    if (typeof m.content === 'string') {
      out.push({ role: m.role, content: m.content });
    } else if (Array.isArray(m.content) && m.content.every(isTextPart)) {
      out.push({ role: m.role, content: m.content.map((p: TextPart) => ({ type: 'text', text: p.text })) });
    } else {
      return `messages[${i}].content must be a string or an array of text parts`;
    }
  }
  return out;
}

function isTextPart(part: unknown): part is TextPart {
  const p = part as { type?: unknown; text?: unknown } | null;
  return !!p && p.type === 'text' && typeof p.text === 'string';
}

/** All the text of one message. */
export function messageText(m: ChatMessage): string {
  return typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('\n');
}

/**
 * Replace the FIRST `{{ transcript }}` in the FIRST message that contains one, and nothing else
 * (production behaviour). A replacer function keeps `$&`-style sequences in the text literal.
 */
export function injectTranscript(
  messages: readonly ChatMessage[],
  text: string,
): { messages: ChatMessage[]; injected: boolean } {
  const out = messages.map((m) => ({ ...m }));
  for (const m of out) {
    if (typeof m.content === 'string') {
      if (m.content.includes(TRANSCRIPT_PLACEHOLDER)) {
        m.content = m.content.replace(TRANSCRIPT_PLACEHOLDER, () => text);
        return { messages: out, injected: true };
      }
    } else {
      const index = m.content.findIndex((p) => p.text.includes(TRANSCRIPT_PLACEHOLDER));
      if (index !== -1) {
        m.content = m.content.map((p, i) =>
          i === index ? { type: 'text', text: p.text.replace(TRANSCRIPT_PLACEHOLDER, () => text) } : p,
        );
        return { messages: out, injected: true };
      }
    }
  }
  return { messages: out, injected: false };
}
