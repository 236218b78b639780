import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { fmt } from '../../plugins/views.ts';

const messagesDir = fileURLToPath(new URL('../../../views/email/', import.meta.url));

// Message templates change only with a deploy, so they are compiled once. Whitespace is kept as
// written (control tags trim their own line with `-%>`): it is the layout of the text part.
const options = { views: messagesDir, cache: true, autoTrim: false } as const;
const html = new Eta({ ...options, autoEscape: true });
const text = new Eta({ ...options, autoEscape: false });

export type RenderedMessage = { subject: string; text: string; html: string };

/**
 * Renders a message from its templates in views/email/<template>/: subject.eta and text.eta as plain
 * text, html.eta with every value HTML-escaped.
 */
export async function renderMessage(template: string, data: Record<string, unknown>): Promise<RenderedMessage> {
  // `it.fmt` formats values as the pages do.
  const it = { ...data, fmt };
  // A subject is one line: line breaks (and the template file's final newline) would end the header.
  const subject = (await text.renderAsync(`/${template}/subject`, it)).replace(/\s+/g, ' ').trim();
  return {
    subject,
    text: await text.renderAsync(`/${template}/text`, it),
    html: await html.renderAsync(`/${template}/html`, { ...it, subject }),
  };
}
