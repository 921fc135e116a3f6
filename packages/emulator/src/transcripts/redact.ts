// PII redaction as the emulator can show it: the policies whose matches a pattern finds in its
// scripted and generated texts. AssemblyAI documents two substitutions: `hash` replaces each
// character of the entity by `#` ("Hi, my name is ####!", keeping spaces and punctuation, as
// in "###-###-####"), `entity_name` by the policy in capitals ("[PERSON_NAME]").
// Policies without a detector here (medical_condition, location, …) redact nothing.

/** `redact_pii_sub`: `hash` is the API's default. */
export type Substitution = 'hash' | 'entity_name';

/** What a submission asked to redact. */
export interface Redaction {
  policies: string[];
  sub: Substitution;
}

// Given names the sample scripts and the text generator use, and common ones.
const GIVEN_NAMES = [
  'Ana',
  'Chris',
  'Grace',
  'Jordan',
  'Lee',
  'Marco',
  'Maya',
  'Omar',
  'Priya',
  'Sam',
  'Alex',
  'Anna',
  'David',
  'Emma',
  'James',
  'John',
  'Laura',
  'Maria',
  'Michael',
  'Sarah',
];
// A capitalised word right after an introduction is a name ("my name is Priya", "this is Sam").
const INTRODUCED = /\b(?:[Mm]y name is|[Tt]his is|I'm|I am)\s+([A-Z][a-z]+)\b/g;

const DETECTORS: Readonly<Record<string, (text: string) => RegExp[]>> = {
  person_name: (text) => {
    const names = new Set(GIVEN_NAMES);
    for (const m of text.matchAll(INTRODUCED)) if (m[1]) names.add(m[1]);
    return [new RegExp(`\\b(?:${[...names].join('|')})\\b`, 'g')];
  },
  email_address: () => [
    /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g,
    // Spoken, as a transcript writes it: "j dot alvarez at example dot com".
    /\b(?:\w+ dot )*\w+ at \w+(?: dot \w+)+\b/g,
  ],
  // 13 to 19 digits, grouped by spaces or dashes: "4111 1111 1111 1111".
  credit_card_number: () => [/\b\d(?:[ -]?\d){12,18}\b/g],
  us_social_security_number: () => [/\b\d{3}-\d{2}-\d{4}\b/g],
  // 7 or more digits with the usual separators: "(555) 123-4567", "+44 20 7946 0958".
  phone_number: () => [/(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,3}\b/g],
};

function substitute(match: string, policy: string, sub: Substitution): string {
  return sub === 'entity_name' ? `[${policy.toUpperCase()}]` : match.replace(/[\p{L}\p{N}]/gu, '#');
}

/** The text with every match of the requested policies substituted. */
export function redactText(text: string, redaction: Redaction): string {
  let out = text;
  // Longer entities first: a card number is not also a phone number.
  const order = ['credit_card_number', 'us_social_security_number', 'email_address', 'phone_number'];
  const policies = [...redaction.policies].sort(
    (a, b) => (order.indexOf(a) + 1 || order.length + 1) - (order.indexOf(b) + 1 || order.length + 1),
  );
  for (const policy of policies) {
    const detector = DETECTORS[policy];
    if (!detector) continue;
    for (const pattern of detector(out)) {
      out = out.replace(pattern, (match) => substitute(match, policy, redaction.sub));
    }
  }
  return out;
}
