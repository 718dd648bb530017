/**
 * README.md is the front door: at most 200 lines, every relative link in it and in docs/
 * (markdown links and images) reaches a file of this repository, and the test command it
 * states is the one CI runs (.ci/run runs README's test command). Fast: reads text only.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const README = join(ROOT, 'README.md');
const MAX_README_LINES = 200;

/** Lines of a text as `wc -l` counts them (newline characters). */
const lineCount = (text: string): number => (text.match(/\n/g) ?? []).length;

/** The markdown with fenced code blocks and inline code spans blanked out: links there are not links. */
function withoutCode(md: string): string {
  const out: string[] = [];
  let fence: string | null = null;
  for (const line of md.split('\n')) {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (open && open[1]![0] === fence[0] && open[1]!.length >= fence.length) fence = null;
      out.push('');
    } else if (open) {
      fence = open[1]!;
      out.push('');
    } else {
      out.push(line.replace(/(`+)[^`]*?\1/g, ''));
    }
  }
  return out.join('\n');
}

/** The targets of a markdown text's links and images: inline `[..](t)`, `![..](t)`, reference definitions and `<img src>`. */
function linkTargets(md: string): string[] {
  const text = withoutCode(md);
  const targets: string[] = [];
  // Inline links and images; the target may be in <...> and may carry a "title".
  for (const m of text.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) {
    targets.push(m[1]!.replace(/^<|>$/g, ''));
  }
  for (const m of text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/gm)) targets.push(m[1]!.replace(/^<|>$/g, ''));
  for (const m of text.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)) targets.push(m[1]!);
  return targets;
}

/** Whether a target is left alone: web and mail links, and anchors within the same page. */
const external = (target: string): boolean => /^(https?:|mailto:)/i.test(target) || target.startsWith('#');

/** What is wrong with a relative link from `file`, or null: it must stay inside the repository and exist. */
function brokenLink(file: string, target: string, root = ROOT): string | null {
  if (external(target)) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return `${target}: not a relative link (only http(s) and mailto may leave the repository)`;
  const path = decodeURI(target.split('#')[0]!.split('?')[0]!);
  if (path.startsWith('/')) return `${target}: an absolute path; link relative to the file`;
  const to = resolve(dirname(file), path);
  const rel = relative(root, to);
  if (rel === '..' || rel.startsWith(`..${sep}`)) return `${target}: points outside the repository (${rel})`;
  if (!existsSync(to)) return `${target}: ${rel} does not exist`;
  return null;
}

/** README.md and every .md file under docs/. */
function docFiles(): string[] {
  const found = [README];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.md')) found.push(p);
    }
  };
  walk(join(ROOT, 'docs'));
  return found;
}

/** Lines inside fenced code blocks, trimmed. */
function codeLines(md: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of md.split('\n')) {
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (open && open[1]![0] === fence[0] && open[1]!.length >= fence.length) fence = null;
      else lines.push(line.trim());
    } else if (open) fence = open[1]!;
  }
  return lines;
}

describe('README.md is a front door', () => {
  const readme = readFileSync(README, 'utf8');

  it(`has at most ${MAX_README_LINES} lines`, () => {
    expect(lineCount(readme), 'move detail into docs/ and link it').toBeLessThanOrEqual(MAX_README_LINES);
  });

  it('states the test command that CI runs, as a code line', () => {
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    const ciTest = ci
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^npm (run )?test\b/.test(l));
    expect(ciTest, '.ci/run runs exactly one test command').toEqual(['npm test']);
    expect(codeLines(readme)).toContain(ciTest[0]);
  });

  it('links only to files that exist in the repository, as does every page of docs/', () => {
    const files = docFiles();
    expect(files.length).toBeGreaterThan(1);
    const broken: string[] = [];
    let checked = 0;
    for (const file of files) {
      for (const target of linkTargets(readFileSync(file, 'utf8'))) {
        checked += external(target) ? 0 : 1;
        const problem = brokenLink(file, target);
        if (problem) broken.push(`${relative(ROOT, file)}: ${problem}`);
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(broken).toEqual([]);
  });
});

describe('the link check itself', () => {
  it('finds inline links, images, titles, angle brackets, reference definitions and <img>, not code', () => {
    const md = [
      'See [a](docs/a.md#part) and ![pic](docs/p.png "title") and [b](<docs/with space.md>).',
      '[ref]: docs/ref.md',
      '<img src="docs/i.png" alt="x">',
      'Not `[code](docs/code.md)`, nor:',
      '```',
      '[fenced](docs/fenced.md)',
      '```',
      '[web](https://example.com) [top](#top)',
    ].join('\n');
    expect(linkTargets(md)).toEqual(['docs/a.md#part', 'docs/p.png', 'docs/with space.md', 'https://example.com', '#top', 'docs/ref.md', 'docs/i.png']);
  });

  it('passes existing files and anchors after them, and names missing files and links out of the repository', () => {
    expect(brokenLink(README, 'docs/method.md#networks-srccoremlnets')).toBeNull();
    expect(brokenLink(README, 'https://example.com/x')).toBeNull();
    expect(brokenLink(README, 'docs/no-such-page.md')).toMatch(/does not exist/);
    expect(brokenLink(README, '../shared/docs/architecture.md')).toMatch(/outside the repository/);
    expect(brokenLink(join(ROOT, 'docs/method.md'), '../../x.md')).toMatch(/outside the repository/);
    expect(brokenLink(README, 'file:///etc/passwd')).toMatch(/not a relative link/);
  });

  it('counts lines as wc -l does', () => {
    expect(lineCount('a\nb\n')).toBe(2);
    expect(lineCount('a\nb')).toBe(1);
  });
});
