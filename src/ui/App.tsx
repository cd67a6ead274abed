import { useDeferredValue } from 'react';
import { useStore } from '../store/store';
import { ErrorBanner } from './ErrorBanner';
import { DropZone } from './DropZone';
import { GenerateForm } from './GenerateForm';
import { ArraySummaryCard } from './ArraySummaryCard';
import { SweepControls } from './SweepControls';
import { SweepStatus } from './SweepStatus';
import { TradeoffChart } from './TradeoffChart';
import { ResultsTable } from './ResultsTable';
import { QualityPanel } from './QualityPanel';
import { Recommendation } from './Recommendation';
import { LoadProgress } from './LoadProgress';
import { FullRunPanel } from './FullRunPanel';
import { useStagedMount } from './useStagedMount';

export function App() {
  // The explorer (table, chart, controls) mounts in a background render React can interrupt, so the
  // first array's results page never arrives as one long main-thread task.
  const hasInput = useDeferredValue(useStore((s) => s.input !== null));
  // The chart, then the table and the quality panel, mount a painted frame apart: laid out at once,
  // the explorer's first appearance was one 50–56 ms main-thread task (seed bench, while both sweep
  // workers start on the two cores); in steps each is a fraction of it.
  const stage = useStagedMount(hasInput, 2);
  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ▤
          </span>
          <h1>h5squeeze</h1>
          <span className="tagline">How small can your array get on disk — and what does it cost?</span>
        </div>
        <SweepStatus />
      </header>
      <main>
        <ErrorBanner />
        <LoadProgress />
        {!hasInput ? (
          <section className="empty-state">
            <h2>Measure every way to store a big numeric array</h2>
            <p className="muted">
              Drop a <code>.npy</code> (a stack of matrices works best). Each strategy writes a real HDF5 or
              .npy file in your browser, reads it back and measures the true error. Then download the file you
              like.
            </p>
            <DropZone />
            <GenerateForm />
          </section>
        ) : (
          <>
            <div className="top-row">
              <ArraySummaryCard />
              <div className="side">
                <DropZone compact />
                <GenerateForm />
              </div>
            </div>
            <SweepControls />
            <Recommendation />
            <FullRunPanel />
            {stage >= 1 && <TradeoffChart />}
            {stage >= 2 && <ResultsTable />}
            {stage >= 2 && <QualityPanel />}
          </>
        )}
      </main>
      <footer className="muted small">
        Everything runs locally in Web Workers (h5wasm); your data never leaves this machine.
      </footer>
    </div>
  );
}
