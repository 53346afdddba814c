import { createRoot } from "react-dom/client";
import { BoardApp } from "./BoardApp.tsx";
import { parseBoardRoute } from "./route.ts";
import "./board.css";

createRoot(document.getElementById("app")!).render(<BoardApp route={parseBoardRoute(location)} />);
