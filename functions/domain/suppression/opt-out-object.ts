/**
 * The object under which an access answer lists, per system, that the subject opted out of marketing
 * (workflow/collect.ts writes it from the suppression list; package/html.ts says it in words).
 */
export const OPT_OUT_OBJECT = 'marketing_opt_out';
