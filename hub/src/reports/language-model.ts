/**
 * Asks an OpenAI-compatible server (`POST {endpoint}/chat/completions`) to write a report's summary
 * from its aggregates. Any failure (off, unreachable, an error answer, too slow, an empty text)
 * returns null and the report keeps our own sentences.
 */
import type { Report } from './report-data.ts';
import { reportFacts } from './report-facts.ts';
import type { StoredWriterSettings } from './writer-settings.ts';

export const LANGUAGE_MODEL_TIMEOUT_MS = 30_000;

const INSTRUCTIONS =
  'You write the short summary on top of a shop footfall report for a store owner. Use plain, friendly ' +
  'English, at most five sentences, no headings or lists. Use only the numbers given; do not invent any.';

export interface WriterResult {
  text: string | null;
  /** Why the model was not used (for the log), null when it was. */
  problem: string | null;
}

function contentOf(body: unknown): string | null {
  const choices = (body as { choices?: unknown }).choices;
  if (!Array.isArray(choices)) return null;
  const content = (choices[0] as { message?: { content?: unknown } } | undefined)?.message?.content;
  return typeof content === 'string' && content.trim() !== '' ? content.trim() : null;
}

export async function writeWithLanguageModel(
  settings: StoredWriterSettings | null,
  report: Report,
  timeoutMs = LANGUAGE_MODEL_TIMEOUT_MS,
): Promise<WriterResult> {
  if (!settings?.enabled || !settings.endpoint || !settings.model)
    return { text: null, problem: 'not set up' };
  try {
    const res = await fetch(`${settings.endpoint}/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: settings.model,
        messages: [
          { role: 'system', content: INSTRUCTIONS },
          { role: 'user', content: JSON.stringify(reportFacts(report)) },
        ],
        temperature: 0.3,
      }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return { text: null, problem: `the language model answered ${res.status}` };
    const text = contentOf(await res.json());
    return text ? { text, problem: null } : { text: null, problem: 'the language model sent no text' };
  } catch (err) {
    return { text: null, problem: `the language model could not be reached: ${(err as Error).message}` };
  }
}
