/** The bell glyph, drawn with SVG paths (no icon font, no inline styles). */
export function BellIcon() {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="1.8"
        stroke-linecap="round"
        stroke-linejoin="round"
        d="M6 9a6 6 0 1 1 12 0c0 4.5 1.5 6.5 2.5 7.5h-17C4.5 15.5 6 13.5 6 9Zm3.5 10.5a2.5 2.5 0 0 0 5 0"
      />
    </svg>
  );
}
