import { describe, expect, it } from 'vitest';
import { remoteServer } from '../../src/core/desktop/remoteServer';

describe('the desktop app as a team server client (--remote URL)', () => {
  it('takes an https address (or http on loopback) and opens its page', () => {
    expect(remoteServer(['electron', '.'])).toBeNull();
    expect(remoteServer(['app', '--remote', 'https://depthseg.lab.example:8443/some/path?x=1'])!.href).toBe('https://depthseg.lab.example:8443/');
    expect(remoteServer(['app', '--remote=http://127.0.0.1:8080'])!.href).toBe('http://127.0.0.1:8080/');
    expect(remoteServer(['app', '--remote', 'http://[::1]:8080'])!.href).toBe('http://[::1]:8080/');
  });

  it('refuses plain HTTP on the network, credentials in the URL and what is no URL, saying why', () => {
    expect(() => remoteServer(['--remote', 'http://10.0.0.5:8080'])).toThrow('--remote: http://10.0.0.5:8080 is plain HTTP on the network');
    expect(() => remoteServer(['--remote', 'https://ana:pw@team.example/'])).toThrow('leave the name and password out of the URL');
    expect(() => remoteServer(['--remote', 'team server'])).toThrow("--remote: 'team server' is not a URL");
    expect(() => remoteServer(['--remote'])).toThrow("--remote: '' is not a URL");
    expect(() => remoteServer(['--remote', 'file:///etc/passwd'])).toThrow('--remote: file: is not a web address');
  });
});
