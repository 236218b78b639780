import Database from 'better-sqlite3';
const db = new Database('/tmp/billrun-exp.sqlite'); db.pragma('journal_mode=WAL'); db.pragma('synchronous=FULL');
if (process.argv[2]) db.pragma('cache_size=-65536');
const svc = db.prepare('select id from services order by id').all().map(r=>r.id);
const cpu=()=>{const c=process.cpuUsage();return (c.user+c.system)/1e3};
function t(label, fn){const c0=cpu(), w0=performance.now(); fn(); console.log(label, 'wall', (performance.now()-w0).toFixed(0), 'cpu', (cpu()-c0).toFixed(0));}
// chunk 1: plain constant update, chunk 2: correlated subquery
const chunk = (k) => svc.slice(3000*k, 3000*(k+1));
const q = (ids) => ids.map(()=>'?').join(',');
t('const update 3000 svcs', ()=> db.transaction(()=> db.prepare(`update cdrs set invoice_id = 1 where service_id in (${q(chunk(1))}) and invoice_id is null and rated_cents is not null and started_at < '2031-04-01'`).run(chunk(1)))());
t('const update 3000 svcs again', ()=> db.transaction(()=> db.prepare(`update cdrs set invoice_id = 2 where service_id in (${q(chunk(2))}) and invoice_id is null and rated_cents is not null and started_at < '2031-04-01'`).run(chunk(2)))());
t('select same rows', ()=> db.prepare(`select count(*), sum(rated_cents) from cdrs where service_id in (${q(chunk(3))}) and invoice_id is null and rated_cents is not null and started_at < '2031-04-01'`).get(chunk(3)));
console.log(db.prepare(`explain query plan update cdrs set invoice_id = 1 where service_id in (${q(chunk(1))}) and invoice_id is null and rated_cents is not null and started_at < '2031-04-01'`).all(chunk(1)).map(r=>r.detail));
