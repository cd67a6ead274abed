import { useState } from 'react';
import { saveBlob } from '../store/actions';
import { recipeFileName, recipeScript } from '../strategies/recipe';
import type { StrategyResult } from '../workers/job';

/** A sweep on a sample names its files `…-sampleKofN…`; the recipe is for the whole file. */
function fullFileName(fileName: string): string {
  return fileName.replace(/-sample\d+of\d+/, '');
}

/** "Export as Python script": the result's strategy as a numpy + h5py program for the full .npy. */
export function RecipeButton({ result, inputName }: { result: StrategyResult | null; inputName: string }) {
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        data-testid="recipe-export"
        disabled={!result}
        title="A Python script (numpy + h5py) that applies this strategy to your full .npy on your own machine"
        onClick={() => {
          if (!result) return;
          const outputName = fullFileName(result.fileName);
          const sample = /-sample(\d+)of(\d+)/.exec(result.fileName);
          const source = sample
            ? `${inputName} (measured on a sample of ${sample[1]} of ${sample[2]} rows)`
            : inputName;
          try {
            const script = recipeScript(
              { strategyId: result.strategyId, layout: result.layout, params: result.params },
              {
                inputName: source,
                outputName,
                measured: { bytes: result.bytes, maxAbsError: result.maxAbsError },
              },
            );
            saveBlob(new Blob([script], { type: 'text/x-python' }), recipeFileName(outputName));
            setProblem(null);
          } catch (e) {
            setProblem(e instanceof Error ? e.message : String(e));
          }
        }}
      >
        Export as Python script
      </button>
      {problem && (
        <span className="fail small" role="status">
          {problem}
        </span>
      )}
    </>
  );
}
