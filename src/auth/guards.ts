import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { forbidden } from '../lib/http-error.ts';
import { type ContactPrincipal, can, type Permission, type Role, type StaffPrincipal } from './principal.ts';

/** A named guard for staff routes: `preHandler: [requireStaff('admin')]`; no roles means any staff role. */
export function requireStaff(...allowed: Role[]): preHandlerAsyncHookHandler {
  return async function staffGuard(request: FastifyRequest) {
    const principal = request.principal;
    if (principal?.kind !== 'staff' || (allowed.length > 0 && !allowed.includes(principal.role))) throw forbidden();
  };
}

/** A named guard for portal routes: a signed-in contact whose profile grants `permission` (any contact without one). */
export function requireContact(permission?: Permission): preHandlerAsyncHookHandler {
  return async function contactGuard(request: FastifyRequest) {
    const principal = request.principal;
    if (principal?.kind !== 'contact' || (permission && !can(principal, permission))) throw forbidden();
  };
}

/** The staff user of a request that a staff guard let through. */
export function staffOf(request: FastifyRequest): StaffPrincipal {
  const principal = request.principal;
  if (principal?.kind !== 'staff') throw forbidden();
  return principal;
}

/** The contact of a request that a contact guard let through. */
export function contactOf(request: FastifyRequest): ContactPrincipal {
  const principal = request.principal;
  if (principal?.kind !== 'contact') throw forbidden();
  return principal;
}
