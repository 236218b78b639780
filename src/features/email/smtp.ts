import type { EmailAttachment } from './outbox.ts';

export type OutgoingEmail = {
  /** Unique to the e-mail and the same on every attempt: its Message-ID, so a resend after an unclear failure can be told. */
  key: string;
  to: string;
  subject: string;
  text: string;
  /** Null on e-mails queued before they had an HTML part. */
  html: string | null;
  attachments: readonly EmailAttachment[];
};

/** Hands one e-mail to the SMTP server; resolves once the server accepted it, throws nodemailer's error otherwise. */
export type Mailer = (email: OutgoingEmail) => Promise<void>;

/**
 * A mailer for the SMTP server at `url` (smtp:// or smtps://, with credentials and nodemailer options
 * as query parameters). A connection per e-mail, so a server that went away costs that e-mail only.
 * The time-outs bound a send well within the sender's claim lease.
 */
export function smtpMailer({ url, from }: { url: string; from: string }): Mailer {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'localhost';
  // nodemailer is loaded with the first e-mail, not with every process that could send one.
  const transport = import('nodemailer').then(({ createTransport }) =>
    createTransport({ url, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 }, { from }),
  );
  return async (email) => {
    await (await transport).sendMail({
      messageId: `<${email.key}@${domain}>`,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html ?? undefined,
      attachments: email.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: a.content,
      })),
    });
  };
}

export type SendFailure = {
  message: string;
  /** The server refused this message for good (a 5xx reply): trying again would be refused too. */
  permanent: boolean;
  /** Not about this message (no connection, DNS, TLS or sign-in): the next e-mail would fail the same way. */
  serverWide: boolean;
};

/** What a failed send means for the outbox. */
export function sendFailure(error: unknown): SendFailure {
  const e = error as { message?: string; code?: string; permanent?: boolean } | undefined;
  const aboutThisMessage = e?.code === 'EENVELOPE' || e?.code === 'EMESSAGE';
  return {
    message: e?.message ?? String(error),
    permanent: aboutThisMessage && e?.permanent === true,
    serverWide: !aboutThisMessage,
  };
}
