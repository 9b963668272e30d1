/**
 * The grounds of GDPR Art. 18(1) a subject may give for restricting the processing of their data, as the
 * API names them. Giving one is optional: the subject may explain in the request's details instead, and
 * staff weigh it in review. No zod or catalogue here: the handler's schema and the domain both read it.
 */
export const RESTRICTION_GROUNDS = [
  /** (a) the subject contests the accuracy of the data, while the controller checks it. */
  'accuracy_contested',
  /** (b) the processing is unlawful and the subject wants the data kept, only restricted, not erased. */
  'unlawful_keep',
  /** (c) the controller no longer needs the data, but the subject needs it for legal claims. */
  'legal_claims',
  /** (d) the subject objected under Art. 21(1), pending whether the controller's grounds override theirs. */
  'objection_pending',
] as const;
export type RestrictionGround = (typeof RESTRICTION_GROUNDS)[number];
