declare module "*.css" {
  const css: string;
  export default css;
}

/** The panel's file name with its content hash, set by scripts/build.mjs. */
declare const __PANEL_FILE__: string;
