import { t } from '../lib/i18n';
import type { ServerSettings } from '../lib/settings/schema';

interface ServerPickerProps {
  servers: ServerSettings[];
  /** The saved server the Server URL field holds; '' for one typed by hand. */
  selectedId: string;
  onSelect: (serverId: string) => void;
}

/** The servers saved on the options page; "another server" leaves the URL field to the user. */
export function ServerPicker({ servers, selectedId, onSelect }: ServerPickerProps) {
  if (servers.length === 0) return null;
  return (
    <>
      <label for="server-choice">{t('popupServerChoice')}</label>
      <select id="server-choice" value={selectedId} onChange={(event) => onSelect(event.currentTarget.value)}>
        {servers.map((server) => (
          <option key={server.id} value={server.id}>
            {server.name}
          </option>
        ))}
        <option value="">{t('popupOtherServer')}</option>
      </select>
    </>
  );
}
