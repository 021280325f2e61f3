#!/usr/bin/env node
// The `ameide` command. The platform is written in TypeScript and runs from
// source: tsx compiles it on the fly, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
