import type { FastifyInstance } from 'fastify';
import { DEMO_PASSWORD } from '../fixtures/staff.ts';
import { Agent } from './app.ts';

/** An Agent signed in to the customer portal (E14) as a contact. */
export async function signInToPortal(app: FastifyInstance, email: string, password = DEMO_PASSWORD): Promise<Agent> {
  const agent = new Agent(app);
  await agent.get('/portal/login');
  const response = await agent.post('/portal/login', { email, password });
  if (response.statusCode !== 303) throw new Error(`portal sign-in as ${email} failed with ${response.statusCode}`);
  await agent.get('/portal');
  return agent;
}
