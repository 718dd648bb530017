/**
 * Who makes an API call. The desktop app and `depthseg serve` have one local user (the
 * service's `author`, with every role); a team server (issue 20) knows each signed-in account
 * and hands its caller to `dispatch` with every call.
 */
export const ROLES = ['annotator', 'reviewer', 'engineer'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  /** The account name: stored as a mask's author, a lease's holder, a review's reviewer. */
  readonly user: string;
  readonly role: Role;
}
