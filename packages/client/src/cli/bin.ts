#!/usr/bin/env node
import { run } from './main';

void run();
