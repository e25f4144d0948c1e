import { ExportCard } from './export-card';
import { RestoreCard } from './restore-card';
import './settings.css';

/** Settings: backup and restore of the appliance's users (the REST routes /api/backup and /api/backup/restore). */
export default function SettingsPage() {
  return (
    <div className="page">
      <header className="page-header">
        <h1>Settings</h1>
      </header>
      <h2 className="subhead">Backup and restore</h2>
      <div className="settings-grid">
        <ExportCard />
        <RestoreCard />
      </div>
    </div>
  );
}
