/**
 * The annotator's keyboard shortcuts: a key press (its physical key code and modifiers) ->
 * the action it asks for. Plain TypeScript, no DOM, so the table is testable in Node.
 *
 *   1..9, 0 / Shift+1..9 / Shift+0   pick class id 0..9 / 10..18 / ignore (of the label set
 *                                    given; classes past 18 have no key, see classes.ts)
 *   B brush, E eraser, P polygon, F flood fill (follows the mask),
 *   S superpixel brush, R region fill (follows the image),
 *   T take: a brush that takes the proposal where it passes
 *   [ and ]                          brush smaller / larger
 *   A / Shift+A                      accept the proposal (live assist, or carried from a
 *                                    neighbouring frame) / its active class only
 *   N / Shift+N                      next / previous frame in clip (this one done, its mask
 *                                    carried there)
 *   H                                show / hide the mask
 *   D                                show / hide the depth layer
 *   Ctrl+0                           fit to window
 *   Enter / Escape / Backspace       close / cancel / remove last point of a polygon
 *   Ctrl+Z, Ctrl+Shift+Z (or Ctrl+Y) undo, redo (Cmd on macOS)
 *   Space (held)                     drag to pan (handled by the canvas itself)
 */
import type { ClassTable } from './classes';

export type Tool = 'brush' | 'eraser' | 'polygon' | 'fill' | 'superpixel' | 'region' | 'take';

export const TOOLS: readonly Tool[] = ['brush', 'eraser', 'polygon', 'fill', 'superpixel', 'region', 'take'];

/** The tools that need the frame's superpixels (offered once they have arrived). */
export const IMAGE_TOOLS: ReadonlySet<Tool> = new Set<Tool>(['superpixel', 'region']);

/** The tools drawn as a brush (a round cursor, a stroke while the button is down). */
export const BRUSH_TOOLS: ReadonlySet<Tool> = new Set<Tool>(['brush', 'eraser', 'superpixel', 'take']);

export type ShortcutAction =
  | { readonly kind: 'undo' }
  | { readonly kind: 'redo' }
  | { readonly kind: 'class'; readonly classId: number }
  | { readonly kind: 'tool'; readonly tool: Tool }
  | { readonly kind: 'brush-size'; readonly direction: -1 | 1 }
  | { readonly kind: 'toggle-mask' }
  | { readonly kind: 'accept-proposal'; readonly onlyActiveClass: boolean }
  | { readonly kind: 'toggle-depth' }
  | { readonly kind: 'next-in-clip' }
  | { readonly kind: 'previous-in-clip' }
  | { readonly kind: 'fit' }
  | { readonly kind: 'polygon-close' }
  | { readonly kind: 'polygon-cancel' }
  | { readonly kind: 'polygon-back' };

/** The parts of a KeyboardEvent the table reads. */
export interface KeyPress {
  readonly code: string;
  readonly shiftKey: boolean;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly altKey: boolean;
}

const TOOL_KEYS: Readonly<Record<string, Tool>> = {
  KeyB: 'brush',
  KeyE: 'eraser',
  KeyP: 'polygon',
  KeyF: 'fill',
  KeyS: 'superpixel',
  KeyR: 'region',
  KeyT: 'take',
};

/** The action of a key press; class keys pick from `classes` (the project's label set). */
export function shortcutFor(k: KeyPress, classes: Pick<ClassTable, 'forKey'>): ShortcutAction | undefined {
  if (k.altKey) return undefined;
  const command = k.ctrlKey || k.metaKey;
  if (command) {
    if (k.code === 'KeyZ') return k.shiftKey ? { kind: 'redo' } : { kind: 'undo' };
    if (k.code === 'KeyY' && !k.shiftKey) return { kind: 'redo' };
    if (k.code === 'Digit0' && !k.shiftKey) return { kind: 'fit' };
    return undefined;
  }
  const cls = classes.forKey(k.code, k.shiftKey);
  if (cls) return { kind: 'class', classId: cls.id };
  if (k.code === 'KeyA') return { kind: 'accept-proposal', onlyActiveClass: k.shiftKey };
  if (k.code === 'KeyN') return k.shiftKey ? { kind: 'previous-in-clip' } : { kind: 'next-in-clip' };
  if (k.shiftKey) return undefined;
  const tool = TOOL_KEYS[k.code];
  if (tool) return { kind: 'tool', tool };
  switch (k.code) {
    case 'BracketLeft':
      return { kind: 'brush-size', direction: -1 };
    case 'BracketRight':
      return { kind: 'brush-size', direction: 1 };
    case 'KeyH':
      return { kind: 'toggle-mask' };
    case 'KeyD':
      return { kind: 'toggle-depth' };
    case 'Enter':
    case 'NumpadEnter':
      return { kind: 'polygon-close' };
    case 'Escape':
      return { kind: 'polygon-cancel' };
    case 'Backspace':
      return { kind: 'polygon-back' };
    default:
      return undefined;
  }
}

/** Brush diameters (image pixels) the [ and ] keys step through. */
export const BRUSH_SIZES: readonly number[] = [1, 2, 3, 5, 8, 12, 16, 20, 28, 40, 56, 80, 120];

/** The next brush size up or down from `size`. */
export function stepBrushSize(size: number, direction: -1 | 1): number {
  if (direction > 0) return BRUSH_SIZES.find((s) => s > size) ?? BRUSH_SIZES[BRUSH_SIZES.length - 1];
  for (let i = BRUSH_SIZES.length - 1; i >= 0; i--) if (BRUSH_SIZES[i] < size) return BRUSH_SIZES[i];
  return BRUSH_SIZES[0];
}
