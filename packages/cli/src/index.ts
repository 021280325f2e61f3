// The CLI is a program, not a library; see bin/ameide.js and src/main.ts.
export {};
