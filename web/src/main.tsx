import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./App";
import { FlashProvider } from "./components/Flash";
import { SessionProvider } from "./session/SessionProvider";
import { StepUpProvider } from "./session/StepUpProvider";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <BrowserRouter>
      <SessionProvider>
        <FlashProvider>
          <StepUpProvider>
            <App />
          </StepUpProvider>
        </FlashProvider>
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
