import { t } from '../lib/i18n';
import type { OptionsState } from '../lib/options/controller';
import { ServerCard } from './ServerCard';

interface ServerListProps {
  state: Pick<OptionsState, 'settings' | 'access' | 'tests' | 'focusedServerId'>;
  onGrant: (serverId: string) => void;
  onTest: (serverId: string) => void;
  onEdit: (serverId: string) => void;
  onMakeDefault: (serverId: string) => void;
  onRemove: (serverId: string) => void;
}

/** The saved servers, the default first in the user's mind but kept in the order they were added. */
export function ServerList({ state, ...actions }: ServerListProps) {
  const { servers, defaultServerId } = state.settings;
  if (servers.length === 0) return <p class="muted">{t('optionsNoServers')}</p>;
  return (
    <ul class="servers">
      {servers.map((server) => (
        <ServerCard
          key={server.id}
          server={server}
          isDefault={server.id === defaultServerId}
          access={state.access[server.id]}
          test={state.tests[server.id]}
          focused={server.id === state.focusedServerId}
          onGrant={() => actions.onGrant(server.id)}
          onTest={() => actions.onTest(server.id)}
          onEdit={() => actions.onEdit(server.id)}
          onMakeDefault={() => actions.onMakeDefault(server.id)}
          onRemove={() => actions.onRemove(server.id)}
        />
      ))}
    </ul>
  );
}
