import { type ChildProcess, spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';

/** A TCP port nobody listens on right now, for an app started as a child process. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts src/server.ts as production starts it, and resolves once it listens (it must log at info level). */
export function startApp(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const listening = (chunk: Buffer) => {
      out += chunk;
      if (!/Server listening/.test(out)) return;
      // Its later log lines are read and dropped: a full pipe would stop the app.
      child.stdout!.off('data', listening).resume();
      resolve(child);
    };
    child.stdout!.on('data', listening);
    child.once('exit', (code) => reject(new Error(`the app exited with ${code} before listening: ${out}`)));
  });
}

/**
 * A browser's session over HTTP, signed in with a password: its cookie and a CSRF token (sessions are
 * rows, so they outlive the process that made them).
 */
export async function signInOverHttp(base: string, email: string, password: string) {
  let cookie = '';
  const keep = (response: Response) => {
    const set = response.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    return response;
  };
  const token = async (path: string) => {
    const html = await keep(await fetch(`${base}${path}`, { headers: { cookie }, redirect: 'manual' })).text();
    return /"x-csrf-token": "([^"]+)"/.exec(html)![1];
  };
  const body = new URLSearchParams({ _csrf: await token('/login'), email, password });
  keep(await fetch(`${base}/login`, { method: 'POST', body, headers: { cookie }, redirect: 'manual' }));
  const csrf = await token('/');
  const post = (path: string, form: Record<string, string>) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrf, ...form }),
      headers: { cookie },
      redirect: 'manual',
    });
  return { cookie, csrf, post };
}
