import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import { startLab } from './ui/controller';
import { applyTheme } from './ui/settings';
import './ui/styles.css';

// the theme before the first paint: no light flash on a dark system
applyTheme();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void startLab();
