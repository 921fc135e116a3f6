/** One chat message; content is plain text (the gateway only injects into string content). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | (string & {});
  content: string;
}

/** The literal the LLM Gateway replaces with a transcript's text: exactly this, with the spaces. */
export const TRANSCRIPT_PLACEHOLDER = '{{ transcript }}';

/** Index of the first message whose content contains the placeholder, or -1. */
export function placeholderIndex(messages: readonly ChatMessage[]): number {
  return messages.findIndex(
    (m) => typeof m.content === 'string' && m.content.includes(TRANSCRIPT_PLACEHOLDER),
  );
}

/**
 * The gateway's rule: replace the first literal `{{ transcript }}` of the first message that contains
 * it by `text`; later occurrences and later messages stay untouched. Returns new messages, and the
 * same ones when there is no placeholder.
 */
export function injectTranscript(messages: readonly ChatMessage[], text: string): ChatMessage[] {
  const index = placeholderIndex(messages);
  if (index < 0) return [...messages];
  return messages.map((message, i) => {
    if (i !== index) return message;
    const at = message.content.indexOf(TRANSCRIPT_PLACEHOLDER);
    // Slicing, not String#replace: a transcript containing "$&" or "$'" must be inserted verbatim.
    const content =
      message.content.slice(0, at) + text + message.content.slice(at + TRANSCRIPT_PLACEHOLDER.length);
    return { ...message, content };
  });
}
