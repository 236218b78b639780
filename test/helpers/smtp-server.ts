import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

type Tap = { teardown(fn: () => unknown): void };

/** A message as it arrived: parsed, with the envelope recipients. */
export type ReceivedMail = { to: string[]; mail: ParsedMail };

export type TestSmtpServer = {
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
};

/**
 * A real SMTP server on 127.0.0.1 for one test (closed when it ends), keeping every message it accepts.
 * `port` 0 picks a free one. `refuse` answers a recipient with an SMTP error instead of accepting it.
 * `stopListeningAfter` stops taking connections once that many messages arrived, as a server going
 * down mid-queue: the message in hand is still answered, the next connection is refused.
 */
export async function startSmtpServer(
  t: Tap,
  options: {
    port?: number;
    refuse?: (address: string) => { code: number; message: string } | undefined;
    stopListeningAfter?: number;
  } = {},
): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => server.close(resolve));
    return closed;
  };
  const server = new SMTPServer({
    // Plain SMTP without sign-in, so the client neither upgrades to TLS nor authenticates.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const refusal = options.refuse?.(address.address);
      if (!refusal) return callback();
      callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          if (received.length === options.stopListeningAfter) void close();
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  t.teardown(close);
  return { port: (server.server.address() as AddressInfo).port, received, close };
}
