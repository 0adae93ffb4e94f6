/** An error boundary for one region of the page: a crash there is reported and the rest keeps working. */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import type { Region } from './state';

interface Props {
  region: Region;
  title: string;
  onError: (region: Region, error: unknown) => void;
  children: ReactNode;
}

interface State {
  failed: boolean;
}

/** Catches render errors of its children and offers to try again. */
export class RegionBoundary extends Component<Props, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, _info: ErrorInfo): void {
    this.props.onError(this.props.region, error);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="region-failed" role="alert">
        <p>The {this.props.title} part of the page ran into a problem.</p>
        <button type="button" onClick={() => this.setState({ failed: false })}>
          Try again
        </button>
      </div>
    );
  }
}
