import { randomBytes } from 'node:crypto';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { defaultSignInLimits, type SignInLimits } from './auth/sign-in-limits.ts';
import type { Config } from './config.ts';
import type { Db } from './db/index.ts';
import auditRoutes from './features/audit/routes.ts';
import authRoutes from './features/auth/routes.ts';
import commissionRoutes from './features/bill-run/commissions/routes.ts';
import billRunRoutes from './features/bill-run/routes.ts';
import taxRoutes from './features/bill-run/taxes/routes.ts';
import billingFileRoutes from './features/billing-file/routes.ts';
import catalogueAdminRoutes from './features/catalogue/admin-routes.ts';
import contactProfileRoutes from './features/contacts/profile-routes.ts';
import contactRoutes from './features/contacts/routes.ts';
import accountSummaryRoutes from './features/customer-module/account-summary/routes.ts';
import additionalInformationRoutes from './features/customer-module/additional-information/routes.ts';
import alertRoutes from './features/customer-module/alerts/routes.ts';
import communicationRoutes from './features/customer-module/communications/routes.ts';
import customerInformationRoutes from './features/customer-module/customer-information/routes.ts';
import documentRoutes from './features/customer-module/documents/routes.ts';
import facilityRoutes from './features/customer-module/facilities/routes.ts';
import linkedAccountRoutes from './features/customer-module/linked-accounts/routes.ts';
import locationRoutes from './features/customer-module/locations/routes.ts';
import { customerAccessTrail } from './features/customer-module/metrics/access-trail.ts';
import metricsRoutes from './features/customer-module/metrics/routes.ts';
import openCustomerRoutes from './features/customer-module/routes.ts';
import ticketRoutes from './features/customer-module/tickets/routes.ts';
import userRoutes from './features/customer-module/users/routes.ts';
import newAccountRoutes from './features/customers/new-account-routes.ts';
import customerRoutes from './features/customers/routes.ts';
import externalNumberRoutes from './features/external-numbers/routes.ts';
import homeRoutes from './features/home/routes.ts';
import orgPickerRoutes from './features/institutions/picker-routes.ts';
import institutionRoutes from './features/institutions/routes.ts';
import { type PaymentGateway, processGateway } from './features/ledger/gateway.ts';
import autopayRoutes from './features/ledger/staff/autopay-routes.ts';
import billingRoutes from './features/ledger/staff/billing-routes.ts';
import creditRoutes from './features/ledger/staff/credit-routes.ts';
import depositRoutes from './features/ledger/staff/deposit-routes.ts';
import invoiceRoutes from './features/ledger/staff/invoice-routes.ts';
import paymentMethodRoutes from './features/ledger/staff/payment-method-routes.ts';
import paymentRoutes from './features/ledger/staff/payment-routes.ts';
import mySettingsRoutes from './features/my-settings/routes.ts';
import numberAdminRoutes from './features/numbers/admin-routes.ts';
import portalAccountRoutes from './features/portal/account-routes.ts';
import portalAutopayRoutes from './features/portal/autopay-routes.ts';
import portalPaymentMethodRoutes from './features/portal/payment-method-routes.ts';
import portalRoutes from './features/portal/routes.ts';
import portalSignInRoutes from './features/portal/sign-in-routes.ts';
import reportRoutes from './features/reports/routes.ts';
import searchRoutes from './features/search/routes.ts';
import serviceChangeRoutes from './features/services/change-routes.ts';
import serviceRoutes from './features/services/routes.ts';
import settingsRoutes from './features/settings/routes.ts';
import { loadSettings } from './features/settings/settings.ts';
import statementRoutes from './features/statements/routes.ts';
import usageRoutes from './features/usage/routes.ts';
import wizardRoutes from './features/wizard/routes.ts';
import { parseUrlEncoded } from './lib/forms.ts';
import { setPoolNiceness } from './lib/off-loop.ts';
import assets from './plugins/assets.ts';
import auth from './plugins/auth.ts';
import compression from './plugins/compression.ts';
import errors from './plugins/errors.ts';
import security from './plugins/security.ts';
import session from './plugins/session.ts';
import views from './plugins/views.ts';

export type AppOptions = {
  config: Config;
  db: Db;
  /** Failed sign-ins allowed per account and per client address (auth/sign-in-limits.ts). */
  signInLimits?: SignInLimits;
  /** Where payments go; the sandbox unless a real gateway is configured. */
  gateway?: PaymentGateway;
  /** Where the log goes (default stdout); tests pass a stream to read what was logged. */
  logStream?: NodeJS.WritableStream;
  /** Told of every route as it is registered: the route manifest test lists them (test/security). */
  onRoute?: (route: RouteOptions) => void;
};

/** A request as logged: an upload's CSRF token rides in its URL (plugins/session.ts) and stays out of the log. */
function requestForLog(request: { method: string; url: string; ip?: string }) {
  return { method: request.method, url: request.url.replace(/([?&]_csrf=)[^&]*/g, '$1-'), remoteAddress: request.ip };
}

/** Builds the app without listening: server.ts listens, tests call app.inject(). */
export async function buildApp({
  config,
  db,
  signInLimits = defaultSignInLimits,
  gateway = processGateway,
  logStream,
  onRoute,
}: AppOptions): Promise<FastifyInstance> {
  const production = config.env === 'production';
  setPoolNiceness(config.poolNiceness);
  const requestIdPrefix = randomBytes(4).toString('hex');
  let requestCount = 0;
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : { level: config.logLevel, serializers: { req: requestForLog }, ...(logStream ? { stream: logStream } : {}) },
    // Short request ids double as the reference shown on the 500 page: this process's random prefix and a
    // count, where random bytes for each request cost a system call each.
    genReqId: () => `${requestIdPrefix}${(++requestCount).toString(16).padStart(4, '0')}`,
    // Exactly the configured proxies (hop 0 is the peer): request.ip is the address the nearest of them saw.
    trustProxy: config.trustProxyHops > 0 ? (_address: string, hop: number) => hop < config.trustProxyHops : false,
    bodyLimit: 1024 * 1024,
  });

  if (onRoute) app.addHook('onRoute', onRoute);
  await app.register(fastifyFormbody, { parser: parseUrlEncoded });
  await app.register(named(compression));
  await app.register(named(security));
  await app.register(named(session), { db, secret: config.sessionSecret, secureCookie: config.cookieSecure });
  await app.register(named(auth), { db });
  await app.register(named(views), { production, settings: () => loadSettings(db) });
  await app.register(named(errors));
  await app.register(named(assets), { production });

  await app.register(named(customerAccessTrail), { db });

  await app.register(named(authRoutes), { db, signInLimits });
  await app.register(named(homeRoutes), { db });
  await app.register(named(auditRoutes), { db });
  await app.register(named(customerRoutes), { db });
  await app.register(named(newAccountRoutes), { db });
  await app.register(named(openCustomerRoutes), { db });
  await app.register(named(accountSummaryRoutes), { db });
  await app.register(named(customerInformationRoutes), { db });
  await app.register(named(locationRoutes), { db });
  await app.register(named(linkedAccountRoutes), { db });
  await app.register(named(communicationRoutes), { db });
  await app.register(named(ticketRoutes), { db });
  await app.register(named(documentRoutes), { db });
  await app.register(named(facilityRoutes), { db });
  await app.register(named(alertRoutes), { db });
  await app.register(named(userRoutes), { db });
  await app.register(named(metricsRoutes), { db });
  await app.register(named(additionalInformationRoutes), { db });
  await app.register(named(billingRoutes), { db });
  await app.register(named(invoiceRoutes), { db });
  await app.register(named(paymentRoutes), { db, gateway });
  await app.register(named(paymentMethodRoutes), { db, gateway });
  await app.register(named(creditRoutes), { db });
  await app.register(named(depositRoutes), { db });
  await app.register(named(autopayRoutes), { db });
  await app.register(named(searchRoutes), { db });
  await app.register(named(settingsRoutes), { db });
  await app.register(named(mySettingsRoutes), { db });
  await app.register(named(institutionRoutes), { db });
  await app.register(named(orgPickerRoutes), { db });
  await app.register(named(externalNumberRoutes), { db });
  await app.register(named(billingFileRoutes), { db, database: config.database });
  await app.register(named(catalogueAdminRoutes), { db });
  await app.register(named(numberAdminRoutes), { db });
  await app.register(named(wizardRoutes), { db });
  await app.register(named(serviceRoutes), { db });
  await app.register(named(serviceChangeRoutes), { db });
  await app.register(named(contactRoutes), { db, publicUrl: config.publicUrl });
  await app.register(named(contactProfileRoutes), { db });
  await app.register(named(statementRoutes), { db });
  await app.register(named(portalSignInRoutes), { db, signInLimits, publicUrl: config.publicUrl });
  await app.register(named(portalRoutes), { db, gateway });
  await app.register(named(portalAccountRoutes), { db });
  await app.register(named(portalPaymentMethodRoutes), { db, gateway });
  await app.register(named(portalAutopayRoutes), { db });
  await app.register(named(reportRoutes), { db, database: config.database });
  await app.register(named(usageRoutes), { db, database: config.database });
  await app.register(named(billRunRoutes), { db, database: config.database });
  await app.register(named(taxRoutes), { db });
  await app.register(named(commissionRoutes), { db });

  return app;
}

/**
 * Gives a plugin of ours its function's name for Fastify, which otherwise looks for an unnamed plugin's
 * file among every loaded module: about 10 ms per app built, paid by every test that builds one.
 */
function named<Plugin extends (...args: never[]) => unknown>(plugin: Plugin): Plugin {
  Object.assign(plugin, { [Symbol.for('fastify.display-name')]: plugin.name });
  return plugin;
}
