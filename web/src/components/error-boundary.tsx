import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ErrorState } from './states';

interface Props {
  children: ReactNode;
  fallbackAction?: ReactNode;
}

/**
 * A page that throws while rendering (or whose code chunk fails to load after
 * an upgrade) shows the error instead of a blank screen.
 */
export class ErrorBoundary extends Component<Props, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('dashboard page failed', error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="page">
        <ErrorState title="This page failed" error={this.state.error} onRetry={() => window.location.reload()} />
        {this.props.fallbackAction && <p className="center">{this.props.fallbackAction}</p>}
      </div>
    );
  }
}
