import { useState } from 'react';
import { saveBlob } from '../store/actions';
import { recipeFileName, recipeScript } from '../strategies/recipe';
import { daskRecipeFileName, daskRecipeScript } from '../strategies/recipe-dask';
import type { StrategyResult } from '../workers/job';

/** A sweep on a sample names its files `…-sampleKofN…`; the recipe is for the whole file. */
function fullFileName(fileName: string): string {
  return fileName.replace(/-sample\d+of\d+/, '');
}

/**
 * "Export as Python script": the result's strategy as a numpy + h5py program for the full .npy, or, for
 * a Zarr store, the Dask program that writes the same store on a cluster (a LocalCluster by default).
 */
export function RecipeButton({ result, inputName }: { result: StrategyResult | null; inputName: string }) {
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        data-testid="recipe-export"
        disabled={!result}
        title={
          result?.readableBy === 'zarr'
            ? 'A Python script (dask + zarr) that writes this Zarr store from your full .npy files on a Dask cluster'
            : 'A Python script (numpy + h5py) that applies this strategy to your full .npy on your own machine'
        }
        onClick={() => {
          if (!result) return;
          const outputName = fullFileName(result.fileName);
          const sample = /-sample(\d+)of(\d+)/.exec(result.fileName);
          const source = sample
            ? `${inputName} (measured on a sample of ${sample[1]} of ${sample[2]} rows)`
            : inputName;
          try {
            const spec = { strategyId: result.strategyId, layout: result.layout, params: result.params };
            const inputs = {
              inputName: source,
              outputName,
              measured: { bytes: result.bytes, maxAbsError: result.maxAbsError },
            };
            const dask = result.readableBy === 'zarr';
            const script = dask ? daskRecipeScript(spec, inputs) : recipeScript(spec, inputs);
            const name = dask ? daskRecipeFileName(outputName) : recipeFileName(outputName);
            saveBlob(new Blob([script], { type: 'text/x-python' }), name);
            setProblem(null);
          } catch (e) {
            setProblem(e instanceof Error ? e.message : String(e));
          }
        }}
      >
        {result?.readableBy === 'zarr' ? 'Export as Dask script' : 'Export as Python script'}
      </button>
      {problem && (
        <span className="fail small" role="status">
          {problem}
        </span>
      )}
    </>
  );
}
