/** An error that carries the HTTP status the error handler should answer with, and a message for the user. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what = 'This page') => new HttpError(404, `${what} does not exist or is not yours to see.`);
export const forbidden = () => new HttpError(403, 'Your role does not allow this.');
