import t from 'tap';
import { type Agent, buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';
import { customerId } from '../../helpers/customers.ts';

/** A multipart upload the way a browser sends the Documents form (the CSRF token in the form action). */
async function upload(agent: Agent, url: string, file: { name: string; type: string; content: Buffer }, csrf?: string) {
  const page = await agent.get(url);
  const action = /action="([^"]+\/documents\?_csrf=[^"]+)"/.exec(page.body)![1].replace(/&amp;/g, '&');
  const boundary = '----ledgerdesk-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return agent.request({
    method: 'POST',
    url: csrf ? `${url}?_csrf=${csrf}` : action,
    payload,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}

t.test('Documents are uploaded within the size and type limits, downloaded and deleted', async (t) => {
  const { app, db } = await buildTestApp(t);
  const acme = await customerId(db, 'Acme Plumbing Ltd');
  const agent = await signIn(app, demoUsers.support);
  const url = `/customers/${acme}/documents`;
  const content = Buffer.from('%PDF-1.4 contract for Acme\n');
  const uploaded = await upload(agent, url, { name: '../Contract 2026.pdf', type: 'application/pdf', content });
  t.equal(uploaded.statusCode, 303);
  const doc = await db('documents').where({ customer_id: acme }).first();
  t.equal(doc.filename, 'Contract 2026.pdf', 'only the base name is kept');
  const download = await agent.get(`${url}/${doc.id}`);
  t.equal(download.statusCode, 200);
  t.equal(download.headers['content-type'], 'application/pdf');
  t.match(download.headers['content-disposition'], /^attachment; filename="Contract 2026.pdf"/);
  t.same(download.rawPayload, content, 'the same bytes come back');

  const script = await upload(agent, url, { name: 'evil.html', type: 'text/html', content: Buffer.from('<script>') });
  t.equal(script.statusCode, 422);
  t.match(script.body, /Files of this type cannot be uploaded/);
  const big = await upload(agent, url, {
    name: 'huge.pdf',
    type: 'application/pdf',
    content: Buffer.alloc(10 * 1024 * 1024 + 1, 1),
  });
  t.equal(big.statusCode, 422);
  t.match(big.body, /The file is larger than 10 MB/);
  const noFile = await upload(agent, url, { name: '', type: 'application/octet-stream', content: Buffer.alloc(0) });
  t.equal(noFile.statusCode, 422);
  t.match(noFile.body, /Choose a file to upload/);
  const forged = await upload(agent, url, { name: 'a.pdf', type: 'application/pdf', content }, 'forged-token');
  t.equal(forged.statusCode, 403, 'a multipart form without the right CSRF token is refused');
  t.equal(Number((await db('documents').count({ n: '*' }).first())!.n), 1);

  t.equal((await agent.post(`${url}/${doc.id}/delete`)).statusCode, 303);
  t.notOk(await db('documents').where({ id: doc.id }).first());
  const activity = await agent.get(`/customers/${acme}/metrics/activity-log`);
  t.match(activity.body, /Document added/);
  t.match(activity.body, /Document removed/);
  t.notOk(
    await db('audit_events').where({ entity: 'documents', field: 'content' }).first(),
    'file contents stay out of the audit log',
  );
});
