import { fileURLToPath } from 'node:url';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { formatDate, formatTimestamp } from '../lib/dates.ts';
import { formatCents, onBadAmount } from '../lib/money.ts';
import { countOf } from '../lib/words.ts';
import { assetUrl } from './assets.ts';
import { type AppSettings, navigationFor } from './navigation.ts';

const viewsDir = fileURLToPath(new URL('../../views/', import.meta.url));

/** Helpers every template can use as `it.fmt.…`: the one place values are formatted for display. Assets are linked as `it.asset(url)`. */
export const fmt = { money: formatCents, date: formatDate, timestamp: formatTimestamp, count: countOf };

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a full page (a template that uses the layout). */
    page(template: string, data?: Record<string, unknown>): Promise<FastifyReply>;
    /** Renders only `fragment` for an htmx request, the full `page` otherwise (DESIGN rule 5). */
    pageOrFragment(
      templates: { page: string; fragment: string },
      data?: Record<string, unknown>,
    ): Promise<FastifyReply>;
    /** Redirect after a POST: 303 for plain forms, HX-Redirect for htmx requests. */
    seeOther(url: string): FastifyReply;
    /** The no-JavaScript confirmation page of a destructive action (its buttons named by their effect). */
    confirmation(confirm: Confirmation, data?: Record<string, unknown>): Promise<FastifyReply>;
  }
  interface FastifyRequest {
    isHtmx: boolean;
  }
}

/** What a confirmation page asks: `yes` does the action (POST to `action`), `no` goes back to `back`. */
export type Confirmation = {
  question: string;
  detail?: string;
  action: string;
  yes: string;
  no: string;
  back: string;
  fields?: Record<string, string>;
  portal?: boolean;
};

declare module '@fastify/session' {
  interface FastifySessionObject {
    flash?: Record<string, string[]>;
  }
}

export function isHtmxRequest(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true' && request.headers['hx-boosted'] !== 'true';
}

export default fp(async (app, opts: { production: boolean; settings: () => Promise<AppSettings> }) => {
  // A stored amount the formatter cannot show is a data fault worth a log line, not a 500 (issue 18).
  onBadAmount((value) => app.log.error({ value: String(value) }, 'unshowable money amount'));
  const eta = new Eta({ views: viewsDir, cache: opts.production, autoEscape: true, autoTrim: [false, 'nl'] });
  await app.register(fastifyView, {
    engine: { eta },
    root: viewsDir,
    defaultContext: { fmt, asset: assetUrl },
    production: opts.production,
  });

  app.decorateRequest('isHtmx', false);
  app.addHook('onRequest', async (request) => {
    request.isHtmx = isHtmxRequest(request);
  });

  async function commonData(request: FastifyRequest, reply: FastifyReply): Promise<Record<string, unknown>> {
    const session = request.session;
    const hasFlash = session && Object.keys(session.flash ?? {}).length > 0;
    const staff = request.principal?.kind === 'staff' ? request.principal : null;
    return {
      principal: request.principal,
      // Staff pages read the signed-in staff user as `it.user`.
      user: staff,
      csrfToken: session ? reply.generateCsrf() : '',
      flash: hasFlash ? reply.flash() : {},
      nav: staff ? navigationFor(staff, request.url, await opts.settings()) : [],
      currentPath: request.url,
    };
  }

  app.decorateReply(
    'page',
    async function page(this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
      this.header('Vary', 'HX-Request');
      this.type('text/html; charset=utf-8');
      const html = await this.viewAsync(template, { ...(await commonData(this.request, this)), ...data });
      return this.send(html);
    },
  );

  app.decorateReply(
    'pageOrFragment',
    async function pageOrFragment(
      this: FastifyReply,
      templates: { page: string; fragment: string },
      data: Record<string, unknown> = {},
    ) {
      return this.page(this.request.isHtmx ? templates.fragment : templates.page, data);
    },
  );

  app.decorateReply(
    'confirmation',
    async function confirmation(this: FastifyReply, confirm: Confirmation, data: Record<string, unknown> = {}) {
      return this.page('partials/confirm-page', { ...data, title: confirm.question, confirm, portal: confirm.portal });
    },
  );

  app.decorateReply('seeOther', function seeOther(this: FastifyReply, url: string) {
    if (this.request.headers['hx-request'] === 'true') {
      return this.header('HX-Redirect', url).code(204).send();
    }
    return this.redirect(url, 303);
  });
});
