// Every Vitest file runs with released buffers poisoned (filled with 0xFF, NaN as floats): Node 20 has
// no ArrayBuffer.prototype.transfer, so without this a use after release would pass unnoticed here.
import { poisonReleasedBuffers } from '../../src/core/release';

poisonReleasedBuffers(true);
