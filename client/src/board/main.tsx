import { createRoot } from "react-dom/client";
import { BoardApp, startBoard } from "./BoardApp.tsx";
import { parseBoardRoute } from "./route.ts";
import "./board.css";

// A new link pasted over the old one changes only the fragment: start again with its key.
addEventListener("hashchange", () => location.reload());

const route = parseBoardRoute(location);
createRoot(document.getElementById("app")!).render(<BoardApp start={route ? startBoard(route) : null} />);
