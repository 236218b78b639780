import { PassThrough, Readable } from 'node:stream';
import t from 'tap';
import { buildTestApp, csrfTokenIn, demoUsers, signIn } from '../helpers/app.ts';
import { customerId } from '../helpers/customers.ts';

/** A multipart body of `megabytes` that counts how much of it the app read. */
function countedUpload(token: string | null, megabytes: number) {
  const boundary = '----ledgerdesk-upload';
  const head = [
    token ? `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n` : '',
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n`,
  ].join('');
  const chunk = Buffer.alloc(64 * 1024, 0x31);
  let remaining = (megabytes * 1024 * 1024) / chunk.length;
  const read = { bytes: 0 };
  const stream = new Readable({
    read() {
      if (read.bytes === 0) {
        read.bytes += head.length;
        this.push(head);
      } else if (remaining-- > 0) {
        read.bytes += chunk.length;
        this.push(chunk);
      } else {
        this.push(`\r\n--${boundary}--\r\n`);
        this.push(null);
      }
    },
  });
  return { stream, read, contentType: `multipart/form-data; boundary=${boundary}` };
}

t.test('uploads check the CSRF token and the principal before reading the body', async (t) => {
  const log = new PassThrough();
  const logged: Buffer[] = [];
  log.on('data', (chunk: Buffer) => logged.push(chunk));
  const { app, db } = await buildTestApp(t, { LOG_LEVEL: 'info' }, { logStream: log });
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const admin = await signIn(app, demoUsers.admin);
  const support = await signIn(app, demoUsers.support);
  const token = csrfTokenIn((await admin.get('/admin/numbers/import')).body);
  for (const [who, agent, url, sentToken, status] of [
    ['admin, token only in the body', admin, '/admin/numbers/import', token, 403],
    ['admin, no token', admin, '/admin/numbers/import', null, 403],
    ['admin, documents, token in the body', admin, `/customers/${acme}/documents`, token, 403],
    ['support, the admin-only import', support, `/admin/numbers/import?_csrf=${token}`, null, 403],
  ] as const) {
    const upload = countedUpload(sentToken, 8);
    const response = await agent.request({
      method: 'POST',
      url,
      payload: upload.stream,
      headers: { 'content-type': upload.contentType },
    });
    t.equal(response.statusCode, status, who);
    t.ok(upload.read.bytes < 1024 * 1024, `${who}: ${upload.read.bytes} bytes read of 8 MB`);
  }
  const before = Number((await db('phone_numbers').count({ n: '*' }).first())?.n ?? 0);
  const good = countedUpload(null, 0);
  const accepted = await admin.request({
    method: 'POST',
    url: `/admin/numbers/import?_csrf=${encodeURIComponent(token)}`,
    payload: good.stream,
    headers: { 'content-type': good.contentType },
  });
  t.equal(accepted.statusCode, 422, 'with the token in the action the body is read (an empty file is refused)');
  t.match(accepted.body, /Choose a CSV file/);
  t.equal(Number((await db('phone_numbers').count({ n: '*' }).first())?.n ?? 0), before);
  const text = Buffer.concat(logged).toString();
  t.match(text, /numbers\/import\?_csrf=-/, 'the upload was logged');
  t.notOk(text.includes(token.slice(0, 20)), 'without its CSRF token');
});
