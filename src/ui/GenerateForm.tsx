import { useState } from 'react';
import { generate } from '../store/actions';

/** Generates the seed notebook's synthetic array: N symmetric M×M matrices of uniform noise with ±10 blocks. */
export function GenerateForm() {
  const [n, setN] = useState(1000);
  const [m, setM] = useState(141);
  const [seed, setSeed] = useState(0);
  const valid = n >= 1 && m >= 1 && n * m * m <= 2 ** 28;
  return (
    <form
      className="generate-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) void generate({ n, m, seed });
      }}
    >
      <span className="muted">…or try the notebook’s example:</span>
      <label>
        N <input type="number" min={1} value={n} onChange={(e) => setN(Math.floor(Number(e.target.value)))} />
      </label>
      <label>
        M <input type="number" min={1} value={m} onChange={(e) => setM(Math.floor(Number(e.target.value)))} />
      </label>
      <label>
        seed{' '}
        <input
          type="number"
          min={0}
          value={seed}
          onChange={(e) => setSeed(Math.floor(Number(e.target.value)))}
        />
      </label>
      <button type="submit" data-testid="generate-button" disabled={!valid}>
        Generate {n}×{m}×{m}
      </button>
    </form>
  );
}
