import { processIo } from './io';
import { main } from './daylight';

process.exitCode = await main(process.argv.slice(2), processIo);
