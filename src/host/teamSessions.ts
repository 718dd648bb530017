/**
 * The team server's signed-in browsers: a random session id (in an httpOnly, SameSite=Strict
 * cookie; Secure under TLS) -> the account name and its password hash at sign-in, until it
 * expires or the user signs out. Kept in memory: a restarted server asks everyone to sign in
 * again. The role is not kept here: the account is read from the database on every call, so a
 * changed role, a changed password or a removed account takes effect at once.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { cookieValues, secretMatches } from './session';

export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export class TeamSessions {
  readonly cookieName: string;
  private readonly sessions = new Map<string, { user: string; credential: string; expiresAt: number }>();

  constructor(
    port: number,
    private readonly secure: boolean,
    private readonly ttlMs = DEFAULT_SESSION_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.cookieName = `depthseg_team_${port}`;
  }

  /** A new session for `user` (signed in while its password hash was `credential`); the Set-Cookie header value that hands it to the browser. */
  create(user: string, credential: string): string {
    for (const [id, s] of this.sessions) if (s.expiresAt <= this.now()) this.sessions.delete(id);
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(id, { user, credential, expiresAt: this.now() + this.ttlMs });
    return `${this.cookieName}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor(this.ttlMs / 1000)}${this.secure ? '; Secure' : ''}`;
  }

  /** The Set-Cookie value that makes the browser forget its session. */
  get clearCookie(): string {
    return `${this.cookieName}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${this.secure ? '; Secure' : ''}`;
  }

  /** The session id the request carries, if it is a live one. */
  idOf(req: IncomingMessage): string | null {
    for (const v of cookieValues(req.headers.cookie, this.cookieName)) {
      if (v.length > 100) continue;
      for (const id of this.sessions.keys()) if (secretMatches(v, id) && this.userOf(id)) return id;
    }
    return null;
  }

  /** The account a session belongs to; null once it expired or ended. */
  userOf(id: string): { user: string; credential: string } | null {
    const s = this.sessions.get(id);
    if (!s) return null;
    if (s.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return null;
    }
    return { user: s.user, credential: s.credential };
  }

  end(id: string): void {
    this.sessions.delete(id);
  }
}
