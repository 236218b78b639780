import { inflateSync } from 'node:zlib';

/**
 * The text a PDF made by pdfkit shows, one string per text-showing operator (Tj/TJ), read from its
 * (deflated) content streams: enough to check what a statement says without a PDF library.
 */
export function pdfText(pdf: Buffer): string[] {
  const source = pdf.toString('latin1');
  const texts: string[] = [];
  // pdfkit ends a stream with "\nendstream": a compressed stream's own last byte may be \r, so it is kept.
  const streams = /stream\r?\n([\s\S]*?)\nendstream/g;
  for (let match = streams.exec(source); match; match = streams.exec(source)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(match[1], 'latin1')).toString('latin1');
    } catch {
      content = match[1];
    }
    for (const op of content.matchAll(/\[([^\]]*)\]\s*TJ|(<[0-9a-fA-F]*>)\s*Tj/g)) {
      const hex = [...(op[1] ?? op[2]).matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]).join('');
      texts.push(Buffer.from(hex, 'hex').toString('latin1'));
    }
  }
  return texts;
}
