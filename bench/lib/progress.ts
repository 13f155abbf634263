/** The live progress line: rewritten in place on a terminal, one line every few seconds otherwise. */

const tty = process.stderr.isTTY === true;
let lastPlain = 0;
let current = "";

/** Replaces the progress line with `text`. */
export function progress(text: string): void {
  current = text;
  if (tty) {
    process.stderr.write(`\r\x1b[2K${text}`);
  } else if (Date.now() - lastPlain > 5000) {
    lastPlain = Date.now();
    process.stderr.write(`${text}\n`);
  }
}

/** Ends the progress line, leaving `text` (or the last progress) on screen. */
export function progressDone(text?: string): void {
  if (tty) process.stderr.write(`\r\x1b[2K${text ?? current}\n`);
  else process.stderr.write(`${text ?? current}\n`);
  current = "";
  lastPlain = 0;
}

/** Calls `render` every `everyMs` until the returned stop function is called. */
export function ticking(render: () => string, everyMs = 250): () => void {
  const t = setInterval(() => progress(render()), everyMs);
  return () => clearInterval(t);
}
