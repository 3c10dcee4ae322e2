// The CLI from source, for tests that run it as a program (a shell, VS Code tasks) without a build.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
