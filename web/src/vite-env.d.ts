/** Types for Vite's asset imports used by the panel (`?url`). */
declare module '*?url' {
  const url: string;
  export default url;
}
