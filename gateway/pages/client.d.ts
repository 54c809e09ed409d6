// Stylesheets imported by the pages' browser code are bundled by esbuild (build.ts).
declare module '*.css';
