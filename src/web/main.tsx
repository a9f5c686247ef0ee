/** The playground's entry: mounts the page. */
import { render } from "preact";
import { App } from "./app.js";
import "./styles.css";

const root = document.getElementById("app");
if (root !== null) render(<App />, root);
