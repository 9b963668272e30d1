/**
 * Requests filed by an authorised agent (CCPA 11 CCR 7063; GDPR representation under Art. 80 or national
 * law). The agent gives their own contact, how they relate to the subject and a signed permission. The
 * agent never becomes the subject: the verification code and every answer go to the subject's own
 * address, and the agent gets a status link that shows the status only (./agent-status.ts).
 */
import { badRequest } from '#commons/errors';
import type { DsarConfig } from '#commons/config';
import { nameProblem } from '../requests/names.ts';
import { normalizeEmail, type AgentOnRecord, type AgentRelationship } from '../requests/model.ts';
import { checkPermission, type CheckedPermission } from './permission.ts';

/** An organisation name is printed in staff's console and the subject's notice: bounded like a name. */
export const ORGANISATION_MAX_LENGTH = 200;

export interface NewAgent {
  name: string;
  email: string;
  organisation?: string;
  relationship: AgentRelationship;
  locale?: string;
  permission: { contentType: string; data: string };
}

/** The agent as checked at intake: what goes on the record, and the document still to be stored. */
export interface CheckedAgent {
  record: Omit<AgentOnRecord, 'permission'>;
  document: CheckedPermission;
}

/**
 * Checks the agent before anything is written: their name and organisation as a subject's name is
 * checked (they are quoted in mails), an address that is not the subject's own, and the document.
 */
export async function checkAgent(agent: NewAgent, subjectEmail: string, config: DsarConfig): Promise<CheckedAgent> {
  const name = agent.name.trim();
  const nameIssue = nameProblem(name);
  if (nameIssue) throw badRequest('invalid_agent_name', `agent.${nameIssue}`);
  const organisation = agent.organisation?.trim();
  const orgIssue = organisation ? nameProblem(organisation) : undefined;
  if (orgIssue) throw badRequest('invalid_agent_organisation', `agent.organisation: ${orgIssue.replace(/^name/, 'the organisation')}`);
  if (normalizeEmail(agent.email) === normalizeEmail(subjectEmail)) {
    throw badRequest('agent_is_subject', 'the agent’s email is the subject’s own: file the request without an agent');
  }
  const document = await checkPermission(agent.permission.contentType, agent.permission.data, config.agents.permissionMaxBytes);
  return {
    record: {
      name,
      email: agent.email.trim(),
      ...(organisation ? { organisation } : {}),
      relationship: agent.relationship,
      ...(agent.locale ? { locale: agent.locale } : {}),
    },
    document,
  };
}
