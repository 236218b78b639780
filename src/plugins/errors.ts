import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

const titles: Record<number, string> = {
  400: 'That request could not be understood',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Page not found',
  413: 'That file is too large',
  422: 'Please check the form',
  429: 'Too many attempts',
};

/** Messages for framework errors whose own wording is not meant for users. */
function userMessage(error: FastifyError, status: number): string {
  if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
    return 'This form has expired or did not come from ledgerdesk. Reload the page and try again.';
  }
  if (status === 429) return 'Too many attempts in a short time. Wait a minute and try again.';
  return error.message;
}

async function renderError(request: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  reply.code(status);
  const data = { status, title: titles[status] ?? 'Something went wrong', message, reference: request.id };
  return reply.pageOrFragment({ page: 'errors/error', fragment: 'errors/_message' }, data);
}

/**
 * One error handler: a 4xx shows its message, a 5xx shows only a reference id (the detail goes to the
 * log under that id). 404 and 403 have their own wording.
 */
export default fp(async (app) => {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error, reference: request.id }, 'request failed');
      return renderError(
        request,
        reply,
        500,
        `Something went wrong on our side. If it keeps happening, quote reference ${request.id}.`,
      );
    }
    return renderError(request, reply, status, userMessage(error, status));
  });

  app.setNotFoundHandler(async (request, reply) =>
    renderError(
      request,
      reply,
      404,
      'There is nothing at this address. It may have moved, or the link may be mistyped.',
    ),
  );
});
