// Module hooks (node:module register) for TypeScript loaded from source by the compiled
// `ameide` command: `@ameide/<package>` resolves to the compiled module the command runs.
let aliases = {};

export function initialize(data) {
  aliases = data.aliases;
}

export function resolve(specifier, context, next) {
  const url = aliases[specifier];
  if (url !== undefined) return { url, format: 'module', shortCircuit: true };
  return next(specifier, context);
}
